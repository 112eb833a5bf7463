import { svelte } from "@sveltejs/vite-plugin-svelte";
import { defineConfig } from "vite";

// The UI is built into resources/app: the extension serves it at / and Neutralino loads it from
// resources/. Relative asset paths work from both.
export default defineConfig({
  root: "src-ui",
  base: "./",
  plugins: [svelte()],
  build: {
    outDir: "../resources/app",
    emptyOutDir: true,
    target: "es2022",
    chunkSizeWarningLimit: 800,
  },
});
