export * from "./api.ts";
export * from "./events.ts";
export * from "./ids.ts";
export * from "./states.ts";
export * from "./worktree.ts";
