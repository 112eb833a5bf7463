import { NAME_PATTERN as NAME } from "./names.ts";

/**
 * The UI's pages as hash routes (`#/task/TASK-42`): the board's router reads them, and the desktop
 * extension names one when a notification's click opens a task or a run in the window.
 * `run` names one run of the history; without it a log page shows the newest run.
 */
export type Route = { name: "list" } | { name: "task"; id: string } | { name: "log"; mode: string; id: string; run?: string };

const RUN_ID = /^r[0-9a-z]{1,40}$/;

export function parseHash(hash: string): Route {
  let parts: string[];
  try {
    parts = hash.replace(/^#\/?/, "").split("/").map(decodeURIComponent);
  } catch {
    return { name: "list" };
  }
  if (parts[0] === "task" && parts[1] && NAME.test(parts[1])) return { name: "task", id: parts[1] };
  if (parts[0] === "log" && parts[1] && parts[2] && NAME.test(parts[1]) && NAME.test(parts[2])) {
    const run = parts[3] && RUN_ID.test(parts[3]) ? parts[3] : undefined;
    return { name: "log", mode: parts[1], id: parts[2], ...(run && { run }) };
  }
  return { name: "list" };
}

export function href(route: Route): string {
  if (route.name === "task") return `#/task/${route.id}`;
  if (route.name === "log") return `#/log/${route.mode}/${route.id}${route.run ? `/${route.run}` : ""}`;
  return "#/";
}
