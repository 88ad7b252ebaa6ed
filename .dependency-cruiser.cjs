// Import cycles are refused (issue 12): scripts/import-cycles.test.ts runs this in `npm test`.
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'Modules that import each other, type-only imports included: move the shared part to a module of its own.',
      from: {},
      to: { circular: true },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    // TypeScript 7's compiler has no JavaScript API yet (dependency-cruiser needs one to read .ts): swc reads them.
    parser: 'swc',
    tsConfig: { fileName: 'tsconfig.json' },
  },
};
