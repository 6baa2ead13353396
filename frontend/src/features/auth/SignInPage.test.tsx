import { screen } from "@testing-library/react";
import userEvent from "@testing-library/user-event";
import { afterEach, describe, expect, it, vi } from "vitest";
import { renderApp, stubFetch } from "../../test/render";
import { SignInPage } from "./SignInPage";

afterEach(() => vi.unstubAllGlobals());

async function signIn(email: string, password: string) {
  const user = userEvent.setup();
  await user.type(screen.getByLabelText(/Email/), email);
  await user.type(screen.getByLabelText(/Password/), password);
  await user.click(screen.getByRole("button", { name: "Sign in" }));
}

describe("SignInPage", () => {
  it("shows a refusal that names a field under that field", async () => {
    stubFetch({
      status: 422,
      body: { detail: "value is not a valid email address", code: "value_error", field: "email" },
    });
    renderApp(<SignInPage />, "/signin");
    await signIn("x@y", "secret");
    const email = screen.getByLabelText(/Email/);
    expect(await screen.findByText("value is not a valid email address")).toBeVisible();
    expect(email).toHaveAttribute("aria-invalid", "true");
    expect(screen.queryByRole("alert")).toBeNull();
  });

  it("shows a refusal without a field above the form", async () => {
    stubFetch({
      status: 401,
      body: { detail: "wrong email or password", code: "wrong_credentials", field: null },
    });
    renderApp(<SignInPage />, "/signin");
    await signIn("ada@example.edu", "wrong");
    expect(await screen.findByRole("alert")).toHaveTextContent("wrong email or password");
  });

  it("keeps the session after signing in, without the access token", async () => {
    const requests = stubFetch({
      status: 200,
      body: {
        access_token: "access",
        refresh_token: "refresh",
        expires_in: 900,
        token_type: "bearer",
        user: { user_id: "u1", email: "a@b.edu", name: "Ada", role: "admin", version: 1 },
      },
    });
    const { store } = renderApp(<SignInPage />, "/signin");
    await signIn("a@b.edu", "right");
    await vi.waitFor(() => expect(store.getState().auth.accessToken).toBe("access"));
    expect(await requests[0]!.json()).toEqual({ email: "a@b.edu", password: "right" });
    const kept = sessionStorage.getItem("soems.session") ?? "";
    expect(kept).toContain("refresh");
    expect(kept).not.toContain("access");
  });
});
