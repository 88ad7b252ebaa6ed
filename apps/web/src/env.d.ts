// Vite bundles imported CSS files; for the type-checker they are modules with nothing in them.
declare module '*.css' {}
