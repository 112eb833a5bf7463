import { TaskId } from "../protocol/ids.ts";
import { FrontMatterError, type ParsedTask } from "./front-matter.ts";

export type Task = {
  id: string;
  title: string;
  status: string | null;
  priority: string | null;
  phase: string | null;
  type: string | null;
  tags: string[];
  /** Path relative to the repo, with forward slashes. */
  path: string;
  absolutePath: string;
  body: string;
  frontMatter: Record<string, unknown>;
};

const text = (value: unknown): string | null => (typeof value === "string" ? value : typeof value === "number" ? String(value) : null);

/** Turns parsed front matter into a task; a missing or invalid id is an error the problems panel shows. */
export function toTask(parsed: ParsedTask, path: string, absolutePath: string): Task {
  const { frontMatter, body } = parsed;
  const id = frontMatter.id;
  if (id === undefined) throw new FrontMatterError("the front matter has no id", 2);
  const checked = TaskId.safeParse(id);
  if (!checked.success) {
    throw new FrontMatterError(`id ${JSON.stringify(id)} is not valid: ${checked.error.issues[0]?.message}`, 2);
  }
  const tags = Array.isArray(frontMatter.tags) ? frontMatter.tags.filter((t) => typeof t === "string") : [];
  return {
    id: checked.data,
    title: text(frontMatter.title) ?? checked.data,
    status: text(frontMatter.status),
    priority: text(frontMatter.priority),
    phase: text(frontMatter.phase),
    type: text(frontMatter.type),
    tags,
    path,
    absolutePath,
    body,
    frontMatter,
  };
}
