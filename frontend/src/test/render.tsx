// Renders a component as the app does: a real store, a router, the theme. Network answers
// come from a stubbed fetch (the server is the e2e tests' business).
import type { Role } from "../api/queryApi.generated";
import { ThemeProvider } from "@mui/material";
import { render } from "@testing-library/react";
import type { ReactElement } from "react";
import { Provider } from "react-redux";
import { MemoryRouter, type InitialEntry } from "react-router";
import { vi } from "vitest";
import { makeStore } from "../app/store";
import { theme } from "../theme";

export type Answer = { status: number; body?: unknown };

/** fetch answers in order; each request is recorded for the test to inspect. */
export function stubFetch(...answers: Answer[]) {
  const requests: Request[] = [];
  const fetch = vi.fn(async (input: Request) => {
    requests.push(input.clone());
    const next = answers.shift();
    if (!next) throw new Error(`unexpected request ${input.method} ${input.url}`);
    return new Response(next.body === undefined ? null : JSON.stringify(next.body), {
      status: next.status,
      headers: { "Content-Type": "application/json" },
    });
  });
  vi.stubGlobal("fetch", fetch);
  return requests;
}

/** ``entry``: the address the app starts at, a path or a location with its router state. */
export function renderApp(ui: ReactElement, entry: InitialEntry = "/") {
  const store = makeStore();
  const view = render(
    <Provider store={store}>
      <ThemeProvider theme={theme}>
        <MemoryRouter initialEntries={[entry]}>{ui}</MemoryRouter>
      </ThemeProvider>
    </Provider>,
  );
  return { store, ...view };
}

/** The session a page finds in the browser (the store reads it when made): signed in as
 * "me" with ``role``. */
export function signedInAs(role: Role) {
  sessionStorage.setItem(
    "soems.session",
    JSON.stringify({
      refreshToken: "r",
      user: { user_id: "me", email: "me@example.edu", name: "Me", role },
    }),
  );
}
