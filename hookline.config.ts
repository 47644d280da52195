// The admin CLI's config when run from the repository root (`npm run -s hookline -- …`): the
// quickstart's endpoints and the embedded SQLite log that `npm run demo` writes, ./hookline.sqlite.
export { default } from "./examples/quickstart/src/hookline.config.js";
