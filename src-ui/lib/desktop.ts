/**
 * The only UI file that talks to Neutralino (loaded only inside the desktop window). It hides
 * the window on close (the tray stays), opens the page a notification's click names, and learns the API's address and token from the
 * extension, asking until it answers: events are not queued, so an early answer may be lost.
 */
import * as Neutralino from "@neutralinojs/lib";
import { EXTENSION_ID, HELLO_EVENT, type Hello, OPEN_EVENT, type OpenPage } from "../../src-ext/neutralino/names.ts";
import { href, parseHash } from "../../src-ext/protocol/pages.ts";

/**
 * The extension connects ~0.6 s before the webview (DESIGN §10) and answers within milliseconds;
 * asking twice a second costs nothing and greets the window at most half a second late.
 */
const ASK_EVERY_MS = 500;

export function connectDesktop(): Promise<Hello> {
  Neutralino.init();
  void Neutralino.events.on("windowClose", () => {
    void Neutralino.window.hide();
  });
  // A notification's click opens a task or a run here; only a page the router knows.
  void Neutralino.events.on(OPEN_EVENT, (event: CustomEvent<OpenPage>) => {
    const route = parseHash(String(event.detail?.hash ?? ""));
    if (route.name !== "list") location.hash = href(route);
  });
  return new Promise((resolve) => {
    let timer: ReturnType<typeof setInterval> | undefined;
    void Neutralino.events.on(HELLO_EVENT, (event: CustomEvent<Hello>) => {
      clearInterval(timer);
      resolve(event.detail);
    });
    const ask = () => void Neutralino.extensions.dispatch(EXTENSION_ID, "hello", {}).catch(() => {});
    ask();
    timer = setInterval(ask, ASK_EVERY_MS);
  });
}
