// Module ids that only Vite understands (vite.config.ts): the bundled worker's URL, and the engine files' paths.
declare module '*?worker&url' {
  const url: string;
  export default url;
}

declare module 'virtual:runner-assets' {
  /** Folder of pyodide's files, ending in '/', e.g. /runner-assets/pyodide-314.0.8/ */
  export const pyodideIndexPath: string;
  /** sql.js's wasm, e.g. /runner-assets/sql.js-1.17.0/sql-wasm-browser.wasm */
  export const sqlWasmPath: string;
}
