// Builds the front end: GOV.UK Frontend compiled with the council's font stack (no GDS
// Transport font, no crown), plus its JavaScript. Output goes to static/build/ (not committed).
// Also copies the board pack's font (Source Sans 3, SIL Open Font Licence, from the npm
// package @fontsource/source-sans-3) with its licence into static/build/fonts/, so every
// machine renders the PDF with the same glyphs.
import { cpSync, mkdirSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import * as sass from "sass";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const out = join(root, "static", "build");
const govuk = join(root, "node_modules", "govuk-frontend", "dist", "govuk");

mkdirSync(join(out, "css"), { recursive: true });
mkdirSync(join(out, "js"), { recursive: true });

const result = sass.compile(join(root, "static", "scss", "main.scss"), {
  loadPaths: [join(root, "node_modules")],
  style: "compressed",
  quietDeps: true,
  silenceDeprecations: ["import"],
});
writeFileSync(join(out, "css", "main.css"), result.css);
cpSync(join(govuk, "govuk-frontend.min.js"), join(out, "js", "govuk-frontend.min.js"));
cpSync(join(govuk, "assets", "images", "favicon.ico"), join(out, "favicon.ico"));
const fonts = join(root, "node_modules", "@fontsource", "source-sans-3");
mkdirSync(join(out, "fonts"), { recursive: true });
for (const subset of ["latin", "latin-ext"]) {
  for (const face of ["400-normal", "400-italic", "600-normal", "700-normal"]) {
    const name = `source-sans-3-${subset}-${face}.woff`;
    cpSync(join(fonts, "files", name), join(out, "fonts", name));
  }
}
cpSync(join(fonts, "LICENSE"), join(out, "fonts", "source-sans-3-LICENSE.txt"));
console.log(`Built static/build (css ${result.css.length} bytes)`);
