import MarkdownIt from "markdown-it";

/**
 * Task bodies are not trusted HTML: raw HTML is escaped (html: false) and markdown-it refuses
 * javascript:, vbscript:, file: and most data: links on its own. Links open outside the app.
 */
const md = new MarkdownIt({ html: false, linkify: true, typographer: false });
const defaultLink = md.renderer.rules.link_open ?? ((tokens, idx, options, _env, self) => self.renderToken(tokens, idx, options));
md.renderer.rules.link_open = (tokens, idx, options, env, self) => {
  const token = tokens[idx];
  token?.attrSet("target", "_blank");
  token?.attrSet("rel", "noopener noreferrer");
  return defaultLink(tokens, idx, options, env, self);
};

export function renderMarkdown(text: string): string {
  return md.render(text);
}
