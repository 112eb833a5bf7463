/**
 * Names the extension and the desktop window share. No zod here: the window's bundle imports this
 * file, and the schemas (protocol.ts) stay in the extension.
 */

/** Our extension's id, in neutralino.config.json. */
export const EXTENSION_ID = "js.dispatch.engine";

/** Event the window gets (app.broadcast) with the API's address and token. */
export const HELLO_EVENT = "dispatch.hello";
export type Hello = { url: string; token: string };

/** Event the window gets (app.broadcast) to open one of its pages: `{ hash: "#/task/TASK-42" }`. */
export const OPEN_EVENT = "dispatch.open";
export type OpenPage = { hash: string };
