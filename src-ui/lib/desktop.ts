/**
 * The only UI file that talks to Neutralino (loaded only inside the desktop window). It hides
 * the window on close (the tray stays), and learns the API's address and token from the
 * extension, asking until it answers: events are not queued, so an early answer may be lost.
 */
import * as Neutralino from "@neutralinojs/lib";
import { EXTENSION_ID, HELLO_EVENT, type Hello } from "../../src-ext/neutralino/names.ts";

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
