export type Toast = { id: number; kind: "error" | "info" | "success"; title: string; detail?: string };

/** Long enough to read the message twice; errors stay longest, since they carry a command to copy. */
const LIFETIME_MS = { error: 9000, info: 5000, success: 4000 };

/** Short messages in a corner; errors show the API's own message. */
export class Toasts {
  items = $state<Toast[]>([]);
  private next = 1;

  show(kind: Toast["kind"], title: string, detail?: string): void {
    const id = this.next++;
    this.items = [...this.items, { id, kind, title, detail }].slice(-5);
    setTimeout(() => this.dismiss(id), LIFETIME_MS[kind]);
  }

  error(title: string, error: unknown): void {
    this.show("error", title, error instanceof Error ? error.message : String(error));
  }

  dismiss(id: number): void {
    this.items = this.items.filter((t) => t.id !== id);
  }
}
