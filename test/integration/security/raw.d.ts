/** Vite's `?raw` imports (file contents as a string), used to check static config files. */
declare module "*?raw" {
  const content: string;
  export default content;
}
