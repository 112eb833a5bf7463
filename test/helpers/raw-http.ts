import { connect } from "node:net";

/**
 * Sends raw HTTP, so Host, Origin and the path reach the server exactly as written, and collects
 * the answer until the server closes. `closeAfterWrite` ends our side once the request is sent.
 */
export function raw(
  port: number,
  request: string,
  options: { closeAfterWrite?: boolean } = {},
): Promise<{ status: number; head: string; body: string }> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1");
    let data = "";
    socket.on("data", (chunk) => {
      data += chunk.toString("utf8");
    });
    const done = () => {
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0);
      const split = data.indexOf("\r\n\r\n");
      resolve({ status, head: data.slice(0, split), body: data.slice(split + 4) });
    };
    socket.on("end", done);
    socket.on("close", done);
    socket.on("error", (error) => ((error as NodeJS.ErrnoException).code === "ECONNRESET" ? done() : reject(error)));
    socket.write(request, () => {
      if (options.closeAfterWrite) socket.end();
    });
  });
}
