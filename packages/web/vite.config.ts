import { defineConfig } from 'vite';

// The manager serves dist/ under `/`; hashed file names under assets/ are cached for a year.
export default defineConfig({
  base: '/',
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    sourcemap: true,
  },
});
