import { mount } from "svelte";
import App from "./App.svelte";
import "./styles.css";

const target = document.getElementById("app");
if (!target) throw new Error("no #app element");

/** Inside the Neutralino window the runtime defines NL_PORT; in a browser it is absent. */
if ("NL_PORT" in window) {
  const { connectDesktop } = await import("./lib/desktop.ts");
  const hello = await connectDesktop();
  mount(App, { target, props: { base: hello.url, token: hello.token, desktop: true } });
} else {
  mount(App, { target, props: {} });
}
