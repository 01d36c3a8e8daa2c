/** Django's CSRF cookie and the header it expects back on unsafe requests. */
export const CSRF_COOKIE = "csrftoken";
export const CSRF_HEADER = "X-CSRFToken";

const SAFE_METHODS = new Set(["GET", "HEAD", "OPTIONS", "TRACE"]);

/** Methods Django's CsrfViewMiddleware does not check (RFC 9110 "safe"). */
export function isSafeMethod(method: string): boolean {
  return SAFE_METHODS.has(method.toUpperCase());
}

/**
 * Reads one cookie from a `document.cookie`-style string
 * ("a=1; csrftoken=abc"). Returns null when absent or empty.
 */
export function readCookie(name: string, cookies: string = document.cookie): string | null {
  for (const part of cookies.split(";")) {
    const eq = part.indexOf("=");
    if (eq === -1) continue;
    if (part.slice(0, eq).trim() !== name) continue;
    const raw = part.slice(eq + 1).trim();
    if (raw === "") return null;
    try {
      return decodeURIComponent(raw);
    } catch {
      return raw;
    }
  }
  return null;
}

/** The current CSRF token, or null before Django has set the cookie. */
export function csrfToken(): string | null {
  return readCookie(CSRF_COOKIE);
}
