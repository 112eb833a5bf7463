import { href, parseHash, type Route } from "./routes.ts";

export { href, parseHash, type Route };

/** Hash routes, so the same build works from the server, a file path and the Neutralino window. */
export class Router {
  route = $state<Route>(parseHash(location.hash));

  constructor() {
    addEventListener("hashchange", () => {
      this.route = parseHash(location.hash);
    });
  }

  go(route: Route): void {
    location.hash = href(route);
  }
}
