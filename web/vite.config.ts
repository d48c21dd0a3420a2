import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

/**
 * The web app, served by the Clara server from web/dist. No React plugin: esbuild compiles JSX
 * (tsconfig "jsx": "react-jsx"), which is all a production build needs. `npm run web:dev` serves it
 * with hot reload and proxies the API to a server on :3000.
 */
export default defineConfig({
  root,
  base: '/',
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    chunkSizeWarningLimit: 900,
    reportCompressedSize: false,
    rollupOptions: {
      onwarn(warning, warn) {
        // Libraries mark their React components "use client" for server components; meaningless here.
        if (warning.code === 'MODULE_LEVEL_DIRECTIVE') return;
        warn(warning);
      },
    },
  },
  server: {
    proxy: {
      '/api': { target: process.env.CLARA_URL ?? 'http://localhost:3000', changeOrigin: false },
    },
  },
});
