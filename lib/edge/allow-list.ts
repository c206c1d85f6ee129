/**
 * Which Host and Origin headers the server answers. A browser page from any site
 * can send requests to a port on the visitor's machine, and with DNS rebinding
 * (evil.example resolving to 127.0.0.1) even read the answers; what such a page
 * cannot choose is the Host it sends (the name it was loaded from) and the
 * Origin of its requests. So by default only loopback names on the server's own
 * port are accepted; a deployment names its own with IPCPLAY_ALLOWED_HOSTS and
 * IPCPLAY_ALLOWED_ORIGINS.
 */

export interface AllowList {
  /** `name:port` (that port only), `name` (any port) or `*` (any Host at all); lowercase. */
  hosts: readonly string[];
  /** Whole origins (`https://play.example.com`), or `*`; lowercase, no trailing slash. */
  origins: readonly string[];
}

export interface AllowListOptions {
  /** The port the server listens on. */
  port: number;
  /** The address it is bound to (HOST); a wildcard address names no host and adds nothing. */
  boundHost?: string;
  /** IPCPLAY_ALLOWED_HOSTS, split: more Host values to accept. */
  extraHosts?: readonly string[];
  /** IPCPLAY_ALLOWED_ORIGINS, split: more Origins to accept. */
  extraOrigins?: readonly string[];
}

const LOOPBACK_NAMES = ["localhost", "127.0.0.1", "[::1]"];
const WILDCARD_ADDRESSES = new Set(["", "0.0.0.0", "::", "[::]"]);

/** A comma-separated environment value as a list: trimmed, lowercased, empties dropped. */
export function splitList(value: string | undefined): string[] {
  return (value ?? "")
    .split(",")
    .map((item) => item.trim().toLowerCase())
    .filter((item) => item !== "");
}

/** An IPv6 address as a Host header spells it: in brackets. */
function hostName(address: string): string {
  const lower = address.toLowerCase();
  return lower.includes(":") && !lower.startsWith("[") ? `[${lower}]` : lower;
}

/**
 * The loopback names (localhost, 127.0.0.1, [::1]) and the bound host on the
 * server's port — plus port 80's bare names, since a browser leaves the default
 * port out of Host — then whatever the deployment adds.
 */
export function allowList(options: AllowListOptions): AllowList {
  const names = [...LOOPBACK_NAMES];
  const bound = options.boundHost?.trim() ?? "";
  if (!WILDCARD_ADDRESSES.has(bound)) names.push(hostName(bound));
  const hosts = new Set<string>();
  for (const name of names) {
    hosts.add(`${name}:${options.port}`);
    if (options.port === 80) hosts.add(name);
  }
  for (const extra of options.extraHosts ?? []) hosts.add(extra.toLowerCase());
  const origins = (options.extraOrigins ?? []).map((origin) => origin.toLowerCase().replace(/\/+$/, ""));
  return { hosts: [...hosts], origins };
}

/** `name` and `port` of a Host value (`[::1]:3000` → `[::1]`, `3000`); port "" when absent. */
function splitHost(host: string): { name: string; port: string } {
  const match = /^(\[[^\]]*\]|[^:]*)(?::(\d*))?$/.exec(host);
  return match ? { name: match[1], port: match[2] ?? "" } : { name: host, port: "" };
}

/** Whether a Host header value is on the list. A missing Host is not. */
export function hostAllowed(list: AllowList, host: string | undefined): boolean {
  if (host === undefined || host === "") return false;
  const lower = host.toLowerCase();
  if (list.hosts.includes("*") || list.hosts.includes(lower)) return true;
  // An entry without a port accepts its name on any port (a deployment behind a proxy on 443).
  const { name } = splitHost(lower);
  return list.hosts.some((entry) => splitHost(entry).port === "" && entry === name);
}

/**
 * Whether an Origin header value may drive the server. No Origin (curl, scripts,
 * a browser's own navigation) passes: only pages send one, and a page's Origin
 * must be an http(s) origin whose host is on the Host list, or be listed itself.
 */
export function originAllowed(list: AllowList, origin: string | undefined): boolean {
  if (origin === undefined) return true;
  const lower = origin.toLowerCase();
  if (list.origins.includes("*") || list.origins.includes(lower)) return true;
  let url: URL;
  try {
    url = new URL(lower);
  } catch {
    return false; // "null" (a sandboxed frame, a file:// page) and anything else unreadable
  }
  if (url.protocol !== "http:" && url.protocol !== "https:") return false;
  if (`${url.protocol}//${url.host}` !== lower) return false; // an Origin is scheme://host[:port], nothing more
  return hostAllowed(list, url.host);
}
