import { parseToml, TomlError } from "../toml.ts";

/** The only place in the codebase that reads TOML front matter. */

export type ParsedTask = {
  frontMatter: Record<string, unknown>;
  body: string;
};

export class FrontMatterError extends Error {
  constructor(
    message: string,
    /** 1-based line in the file, when known. */
    readonly line: number | null,
  ) {
    super(message);
    this.name = "FrontMatterError";
  }
}

const FENCE = /^\+\+\+[ \t]*$/;

/**
 * Decodes bytes as UTF-8 without ever throwing: invalid sequences become U+FFFD, so one badly
 * encoded file still shows up (with a replacement character) instead of vanishing.
 */
export function decodeUtf8(bytes: Uint8Array): string {
  const text = new TextDecoder("utf-8", { fatal: false }).decode(bytes);
  return text.charCodeAt(0) === 0xfeff ? text.slice(1) : text;
}

/** True when the text opens with a `+++` fence, i.e. the file means to be a task. */
export function hasFrontMatter(text: string): boolean {
  const first = text.split("\n", 1)[0] ?? "";
  return FENCE.test(first.replace(/\r$/, ""));
}

/** Splits `+++ toml +++ body` and parses the TOML; errors carry the line in the whole file. */
export function parseFrontMatter(text: string): ParsedTask {
  const lines = text.split("\n").map((l) => l.replace(/\r$/, ""));
  if (!FENCE.test(lines[0] ?? "")) throw new FrontMatterError("the file does not start with a +++ line", 1);
  const close = lines.findIndex((line, i) => i > 0 && FENCE.test(line));
  if (close < 0) throw new FrontMatterError("the front matter has no closing +++ line", 1);
  const toml = lines.slice(1, close).join("\n");
  let frontMatter: Record<string, unknown>;
  try {
    frontMatter = parseToml(toml) as Record<string, unknown>;
  } catch (error) {
    if (error instanceof TomlError) {
      // The TOML starts on the file's second line.
      const reason = error.message.split("\n", 1)[0] ?? "invalid TOML";
      throw new FrontMatterError(reason.replace(/^Invalid TOML document: /, ""), error.line + 1);
    }
    throw new FrontMatterError(String(error), null);
  }
  const body = lines
    .slice(close + 1)
    .join("\n")
    .replace(/^\n+/, "");
  return { frontMatter, body };
}
