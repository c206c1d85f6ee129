/**
 * The control plane as scripts and curl see it, for the tests of this folder:
 * a real server (no UI) started for the test file, JSON POSTs to
 * /ipcplay.v1.PlaygroundService/<Method>, and the fixtures beside the tests.
 */
import { readFileSync } from "node:fs";
import { request, type IncomingHttpHeaders } from "node:http";
import path from "node:path";
import { afterAll, beforeAll } from "vitest";
import { startPlayground, type Playground } from "@/server/app";

export const fixture = (name: string) => JSON.parse(readFileSync(path.join(import.meta.dirname, "fixtures", name), "utf8"));

/** Registers the file's hooks (a server before all, closed after) and returns the POST helper. */
export function controlPlane() {
  let playground: Playground | undefined;
  beforeAll(async () => {
    playground = await startPlayground({ port: 0, host: "127.0.0.1", next: false, log: () => undefined });
  });
  afterAll(async () => {
    await playground?.close();
  });
  /** A JSON POST (a string body goes as it is, e.g. malformed JSON); the status and the parsed answer. */
  async function post(method: string, body: string | object, token?: string) {
    if (!playground) throw new Error("the server starts in beforeAll");
    const response = await fetch(`${playground.url}/ipcplay.v1.PlaygroundService/${method}`, {
      method: "POST",
      headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
      body: typeof body === "string" ? body : JSON.stringify(body),
    });
    return { status: response.status, json: (await response.json()) as Record<string, any> };
  }
  /** The server's port; valid once beforeAll has run. */
  function port(): number {
    if (!playground) throw new Error("the server starts in beforeAll");
    return playground.port;
  }
  return { post, port };
}

export interface RawResponse {
  status: number;
  headers: IncomingHttpHeaders;
  text: string;
}

/**
 * One request with exactly the headers given (Host included, which fetch will
 * not let a test set) and a raw body; the whole answer as text.
 */
export function rawRequest(
  port: number,
  options: { method?: string; path?: string; headers?: Record<string, string | number>; body?: Uint8Array | string },
): Promise<RawResponse> {
  return new Promise((resolve, reject) => {
    const req = request(
      // A fresh connection each time: one the server closed after a refusal is never reused.
      { host: "127.0.0.1", port, method: options.method ?? "GET", path: options.path ?? "/", headers: options.headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on("data", (chunk: Buffer) => chunks.push(chunk));
        res.on("end", () => resolve({ status: res.statusCode ?? 0, headers: res.headers, text: Buffer.concat(chunks).toString("utf8") }));
        res.on("error", reject);
      },
    );
    req.on("error", reject);
    req.end(options.body);
  });
}
