import { parse, TomlError } from "smol-toml";

/** The only file that parses TOML: task front matter, mode files and dispatch.config.toml. */

export { TomlError };

/** Parses a TOML document into plain data; throws `TomlError` (with `line`) on bad syntax. */
export function parseToml(text: string): Record<string, unknown> {
  return parse(text) as Record<string, unknown>;
}
