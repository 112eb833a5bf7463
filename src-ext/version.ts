import pkg from "../package.json" with { type: "json" };

/** The version users see (`dispatch --version`, /health): package.json's, declared once. */
export const VERSION: string = pkg.version;
