import { describe, expect, it } from "vitest";
import { jsonResponse, mockFetch, requestAt } from "../test/utils";
import { api, ApiError, expectNoContent, unwrap } from "./client";

describe("api client", () => {
  it("sends X-CSRFToken on unsafe requests only, same-origin credentials", async () => {
    document.cookie = "csrftoken=tok-1; path=/";
    const fetchMock = mockFetch((request) =>
      request.method === "POST" ? new Response(null, { status: 204 }) : jsonResponse([]),
    );

    await expectNoContent(api.POST("/api/auth/logout"));
    await unwrap(api.GET("/api/w/{workspace}/scripts", { params: { path: { workspace: "demo" } } }));

    const post = requestAt(fetchMock, 0);
    expect(post.method).toBe("POST");
    expect(post.headers.get("X-CSRFToken")).toBe("tok-1");
    expect(post.credentials).toBe("same-origin");
    expect(new URL(post.url).pathname).toBe("/api/auth/logout");

    const get = requestAt(fetchMock, 1);
    expect(get.headers.get("X-CSRFToken")).toBeNull();
  });

  it("keeps slashes of a script path and encodes its segments", async () => {
    const fetchMock = mockFetch(() => jsonResponse({}));
    await unwrap(
      api.GET("/api/w/{workspace}/scripts/p/{path}", {
        params: { path: { workspace: "demo", path: "u/ada/hello world" } },
      }),
    );
    expect(new URL(requestAt(fetchMock, 0).url).pathname).toBe("/api/w/demo/scripts/p/u/ada/hello%20world");
  });

  it("passes the limit query parameter", async () => {
    const fetchMock = mockFetch(() => jsonResponse([]));
    await unwrap(api.GET("/api/w/{workspace}/jobs", { params: { path: { workspace: "demo" }, query: { limit: 50 } } }));
    expect(new URL(requestAt(fetchMock, 0).url).search).toBe("?limit=50");
  });

  it("turns the backend's error body into an ApiError with its message", async () => {
    mockFetch(() => jsonResponse({ message: "invalid email or password", detail: null }, 401));
    const error = await unwrap(api.POST("/api/auth/login", { body: { email: "a@b.c", password: "x" } })).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error).toMatchObject({ status: 401, message: "invalid email or password" });
  });

  it("falls back to the HTTP status when the error body is not JSON", async () => {
    mockFetch(() => new Response("<h1>Bad Gateway</h1>", { status: 502, statusText: "Bad Gateway" }));
    await expect(unwrap(api.GET("/api/auth/me"))).rejects.toMatchObject({
      status: 502,
      message: "Request failed (502 Bad Gateway)",
    });
  });

  it("reports network failures as ApiError status 0", async () => {
    mockFetch(() => Promise.reject(new TypeError("Failed to fetch")));
    await expect(unwrap(api.GET("/api/auth/me"))).rejects.toMatchObject({
      status: 0,
      message: "Network error: Failed to fetch",
    });
  });
});
