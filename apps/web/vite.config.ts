/**
 * The web app's build: `npm run build -w @pairview/web` writes dist/, which apps/server serves (src/web/plugin.ts).
 * `npm run dev -w @pairview/web` serves it with hot reload and sends API and sign-in calls to a running
 * Pairview server (PAIRVIEW_URL, default http://localhost:3000).
 */
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const server = process.env.PAIRVIEW_URL ?? 'http://localhost:3000';

export default defineConfig({
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // The server's CSP allows no inline code: keep every asset a file.
    assetsInlineLimit: 0,
  },
  server: {
    proxy: {
      '/api': server,
      '/auth': server,
      '/healthz': server,
    },
  },
});
