import { describe, expect, it } from "vitest";
import { csrfToken, isSafeMethod, readCookie } from "./csrf";

describe("readCookie", () => {
  it("finds a cookie among several", () => {
    expect(readCookie("csrftoken", "sessionid=s1; csrftoken=abc123; theme=dark")).toBe("abc123");
  });

  it("returns null when the cookie is absent or empty", () => {
    expect(readCookie("csrftoken", "sessionid=s1")).toBeNull();
    expect(readCookie("csrftoken", "")).toBeNull();
    expect(readCookie("csrftoken", "csrftoken=")).toBeNull();
  });

  it("does not match a cookie whose name merely contains the name", () => {
    expect(readCookie("csrftoken", "xcsrftoken=nope; csrftoken_old=nope")).toBeNull();
    expect(readCookie("csrftoken", "xcsrftoken=nope; csrftoken=yes")).toBe("yes");
  });

  it("decodes URI-encoded values and keeps '=' inside values", () => {
    expect(readCookie("a", "a=hello%20world")).toBe("hello world");
    expect(readCookie("b", "b=x=y")).toBe("x=y");
    expect(readCookie("c", "c=%E0%A4%A")).toBe("%E0%A4%A");
  });
});

describe("csrfToken", () => {
  it("reads Django's csrftoken from document.cookie", () => {
    expect(csrfToken()).toBeNull();
    document.cookie = "csrftoken=tok-42; path=/";
    expect(csrfToken()).toBe("tok-42");
  });
});

describe("isSafeMethod", () => {
  it("treats GET/HEAD/OPTIONS/TRACE as safe and everything else as unsafe", () => {
    for (const m of ["GET", "head", "OPTIONS", "TRACE"]) expect(isSafeMethod(m)).toBe(true);
    for (const m of ["POST", "put", "PATCH", "DELETE"]) expect(isSafeMethod(m)).toBe(false);
  });
});
