import { href, parseHash, type Route } from "../../src-ext/protocol/pages.ts";

export { href, parseHash, type Route };

/** Hash routes, so the same build works from the server, a file path and the Neutralino window. */
export class Router {
  route = $state<Route>(parseHash(location.hash));
  private listeners = new Set<(route: Route) => void>();

  constructor() {
    addEventListener("hashchange", () => {
      this.route = parseHash(location.hash);
      for (const listener of this.listeners) listener(this.route);
    });
  }

  /** Calls `listener` with the current route now and with every new one (state that follows the route, loaded outside rendering). */
  follow(listener: (route: Route) => void): void {
    this.listeners.add(listener);
    listener(this.route);
  }

  go(route: Route): void {
    location.hash = href(route);
  }
}
