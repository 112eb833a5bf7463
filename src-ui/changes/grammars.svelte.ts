import type { LanguageFn } from "highlight.js";
import hljs from "highlight.js/lib/core";

type Loader = () => Promise<{ default: LanguageFn }>;

/**
 * highlight.js's core with one chunk per grammar, loaded when a file in that language opens. Never
 * import "highlight.js" or "highlight.js/lib/common" (every grammar in the bundle), and never let
 * highlight.js guess a language: a file's extension names it, or it stays plain.
 */
const LOADERS: Record<string, Loader> = {
  bash: () => import("highlight.js/lib/languages/bash"),
  c: () => import("highlight.js/lib/languages/c"),
  cpp: () => import("highlight.js/lib/languages/cpp"),
  css: () => import("highlight.js/lib/languages/css"),
  dockerfile: () => import("highlight.js/lib/languages/dockerfile"),
  go: () => import("highlight.js/lib/languages/go"),
  ini: () => import("highlight.js/lib/languages/ini"),
  java: () => import("highlight.js/lib/languages/java"),
  javascript: () => import("highlight.js/lib/languages/javascript"),
  json: () => import("highlight.js/lib/languages/json"),
  makefile: () => import("highlight.js/lib/languages/makefile"),
  markdown: () => import("highlight.js/lib/languages/markdown"),
  python: () => import("highlight.js/lib/languages/python"),
  ruby: () => import("highlight.js/lib/languages/ruby"),
  rust: () => import("highlight.js/lib/languages/rust"),
  scss: () => import("highlight.js/lib/languages/scss"),
  sql: () => import("highlight.js/lib/languages/sql"),
  typescript: () => import("highlight.js/lib/languages/typescript"),
  xml: () => import("highlight.js/lib/languages/xml"),
  yaml: () => import("highlight.js/lib/languages/yaml"),
};

const BY_EXTENSION: Record<string, string> = {
  ts: "typescript",
  tsx: "typescript",
  mts: "typescript",
  cts: "typescript",
  js: "javascript",
  jsx: "javascript",
  mjs: "javascript",
  cjs: "javascript",
  json: "json",
  jsonc: "json",
  css: "css",
  scss: "scss",
  html: "xml",
  htm: "xml",
  xml: "xml",
  svg: "xml",
  svelte: "xml",
  vue: "xml",
  md: "markdown",
  sh: "bash",
  bash: "bash",
  zsh: "bash",
  toml: "ini",
  ini: "ini",
  yml: "yaml",
  yaml: "yaml",
  py: "python",
  rb: "ruby",
  go: "go",
  rs: "rust",
  java: "java",
  c: "c",
  h: "c",
  cc: "cpp",
  cpp: "cpp",
  hpp: "cpp",
  sql: "sql",
};

const BY_NAME: Record<string, string> = { Dockerfile: "dockerfile", Makefile: "makefile", GNUmakefile: "makefile" };

/** The grammar a path's name or extension names, or null. */
export function languageOf(path: string): string | null {
  const name = path.slice(path.lastIndexOf("/") + 1);
  const dot = name.lastIndexOf(".");
  return BY_NAME[name] ?? (dot > 0 ? (BY_EXTENSION[name.slice(dot + 1).toLowerCase()] ?? null) : null);
}

/** The grammars registered so far: a view colours its rows once its language is here. */
class Grammars {
  ready = $state.raw<Record<string, true>>({});
  private asked = new Set<string>();

  /** Loads a grammar's chunk once; until it is here (or if it never comes) the text stays plain. */
  need(language: string | null): void {
    const load = language ? LOADERS[language] : undefined;
    if (!language || !load || this.asked.has(language)) return;
    this.asked.add(language);
    load().then(
      (grammar) => {
        hljs.registerLanguage(language, grammar.default);
        this.ready = { ...this.ready, [language]: true };
      },
      () => {},
    );
  }
}

export const grammars = new Grammars();
