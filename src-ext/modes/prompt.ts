import type { Task } from "../tasks/task.ts";

export type PromptContext = { task: Task; worktree: string; branch: string; mode: string };

const PLACEHOLDER = /\{\{\s*([A-Za-z0-9_.-]+)\s*\}\}/g;

function stringify(value: unknown): string {
  if (value === undefined || value === null) return "";
  if (typeof value === "string") return value;
  if (Array.isArray(value)) return value.map(stringify).join(", ");
  if (value instanceof Date) return value.toISOString();
  if (typeof value === "object") return JSON.stringify(value);
  return String(value);
}

/**
 * Fills `{{task.id}}`, `{{task.title}}`, `{{task.body}}`, `{{task.path}}`, `{{task.<front-matter key>}}`,
 * `{{worktree}}`, `{{branch}}` and `{{mode}}`. A name that has no value renders empty: a task need
 * not have every key a template mentions.
 */
export function renderPrompt(template: string, ctx: PromptContext): string {
  return template
    .replace(PLACEHOLDER, (_all, name: string) => {
      if (name === "worktree") return ctx.worktree;
      if (name === "branch") return ctx.branch;
      if (name === "mode") return ctx.mode;
      if (!name.startsWith("task.")) return "";
      const key = name.slice(5);
      switch (key) {
        case "id":
          return ctx.task.id;
        case "title":
          return ctx.task.title;
        case "body":
          return ctx.task.body.trim();
        case "path":
          return ctx.task.path;
        default:
          return stringify(ctx.task.frontMatter[key]);
      }
    })
    .trim();
}
