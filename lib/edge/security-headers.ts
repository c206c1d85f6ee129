/**
 * Headers every response of the server carries: pages, Next's assets, the
 * control plane and socket.io's polling alike.
 *
 * The Content-Security-Policy allows scripts and styles from this origin only,
 * plus inline ones: the App Router streams its page data as inline
 * `<script>self.__next_f.push(…)</script>` tags and React Flow positions nodes
 * with style attributes. Nonces would avoid 'unsafe-inline' for scripts, but
 * Next only adds them to pages rendered per request, which would give up the
 * static prerendered page; the app renders no HTML from user input (React
 * escapes every string), so inline scripts are not where an attack would come in.
 * What the policy does stop: scripts, frames, plugins and form posts from other
 * origins, a <base> that redirects relative URLs, and this app in a frame.
 */

export interface SecurityHeaderOptions {
  /** `next dev`: React's development build needs eval (source maps, fast refresh). */
  dev: boolean;
}

export function contentSecurityPolicy({ dev }: SecurityHeaderOptions): string {
  return [
    "default-src 'self'",
    `script-src 'self' 'unsafe-inline'${dev ? " 'unsafe-eval'" : ""}`,
    "style-src 'self' 'unsafe-inline'",
    "img-src 'self' data: blob:",
    "font-src 'self' data:",
    // 'self' covers the control plane's fetches and socket.io's ws:// on this origin.
    "connect-src 'self'",
    "worker-src 'self' blob:",
    "object-src 'none'",
    "base-uri 'self'",
    "form-action 'self'",
    "frame-ancestors 'none'",
  ].join("; ");
}

export function securityHeaders(options: SecurityHeaderOptions): Record<string, string> {
  return {
    "content-security-policy": contentSecurityPolicy(options),
    // frame-ancestors for browsers that predate it.
    "x-frame-options": "DENY",
    "x-content-type-options": "nosniff",
    // Share links keep the topology in the fragment, which no Referer carries; run ids travel in no URL either.
    "referrer-policy": "no-referrer",
    "cross-origin-opener-policy": "same-origin",
    // Other sites may not load this server's responses as images, scripts or the like.
    "cross-origin-resource-policy": "same-origin",
  };
}
