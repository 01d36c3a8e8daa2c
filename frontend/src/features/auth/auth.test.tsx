import { fireEvent, screen, waitFor } from "@testing-library/react";
import { describe, expect, it } from "vitest";
import { App } from "../../App";
import { jsonResponse, ME, mockApi, mockFetch, renderWithProviders, requestAt } from "../../test/utils";

const unauthorized = () => jsonResponse({ message: "not logged in", detail: null }, 401);

describe("authentication", () => {
  it("sends anonymous visitors to /login", async () => {
    mockApi({ "GET /api/auth/me": unauthorized });
    renderWithProviders(<App />, { route: "/w/demo/scripts" });
    expect(await screen.findByRole("button", { name: "Sign in" })).toBeInTheDocument();
    expect(screen.getByLabelText("Email")).toBeInTheDocument();
    expect(screen.getByLabelText("Password")).toBeInTheDocument();
  });

  it("shows the API message when credentials are wrong", async () => {
    mockApi({ "POST /api/auth/login": () => jsonResponse({ message: "invalid email or password" }, 401) });
    renderWithProviders(<App />, { route: "/login" });

    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "wrong" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByRole("alert")).toHaveTextContent("invalid email or password");
  });

  it("logs in with CSRF header and lands on the first workspace's home", async () => {
    document.cookie = "csrftoken=tok-login; path=/";
    let loggedIn = false;
    const fetchMock = mockFetch((request) => {
      const key = `${request.method} ${new URL(request.url).pathname}`;
      if (key === "POST /api/auth/login") {
        loggedIn = true;
        return jsonResponse(ME);
      }
      if (key === "GET /api/auth/me") return loggedIn ? jsonResponse(ME) : unauthorized();
      if (["scripts", "flows", "schedules", "apps"].some((list) => key === `GET /api/w/demo/${list}`)) {
        return jsonResponse([]);
      }
      return jsonResponse({ message: "unexpected" }, 404);
    });
    renderWithProviders(<App />, { route: "/login" });

    fireEvent.change(screen.getByLabelText("Email"), { target: { value: "ada@example.com" } });
    fireEvent.change(screen.getByLabelText("Password"), { target: { value: "secret" } });
    fireEvent.click(screen.getByRole("button", { name: "Sign in" }));

    expect(await screen.findByText("Nothing here yet")).toBeInTheDocument();
    const login = requestAt(fetchMock, 0);
    expect(login.headers.get("X-CSRFToken")).toBe("tok-login");
    expect(await login.json()).toEqual({ email: "ada@example.com", password: "secret" });
  });

  it("signs out and returns to /login", async () => {
    let loggedIn = true;
    mockApi({
      "GET /api/auth/me": () => (loggedIn ? jsonResponse(ME) : unauthorized()),
      "GET /api/w/demo/scripts": () => jsonResponse([]),
      "POST /api/auth/logout": () => {
        loggedIn = false;
        return new Response(null, { status: 204 });
      },
    });
    renderWithProviders(<App />, { route: "/" });

    fireEvent.click(await screen.findByRole("button", { name: "Sign out" }));
    await waitFor(() => expect(screen.getByRole("button", { name: "Sign in" })).toBeInTheDocument());
  });
});
