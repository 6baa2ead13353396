import { createSlice, type PayloadAction } from "@reduxjs/toolkit";
import type { Role, UserOut } from "../../api/commandApi.generated";

export type SignedInUser = Pick<UserOut, "user_id" | "email" | "name"> & { role: Role };

export type AuthState = {
  accessToken: string | null;
  refreshToken: string | null;
  user: SignedInUser | null;
};

// The access token lives in memory only. The refresh token and who is signed in are kept in
// sessionStorage (this tab, until it closes) so a reload can refresh silently; the strict CSP
// of the gateway is what keeps scripts that could read it out.
const STORAGE_KEY = "soems.session";

type Stored = Pick<AuthState, "refreshToken" | "user">;

export function loadSession(storage: Storage | undefined = globalThis.sessionStorage): AuthState {
  try {
    const stored = JSON.parse(storage?.getItem(STORAGE_KEY) ?? "null") as Stored | null;
    if (stored?.refreshToken && stored.user) {
      return { accessToken: null, refreshToken: stored.refreshToken, user: stored.user };
    }
  } catch {
    // an unreadable entry is a signed-out tab
  }
  return { accessToken: null, refreshToken: null, user: null };
}

export function saveSession(state: AuthState, storage = globalThis.sessionStorage): void {
  if (!storage) return;
  if (state.refreshToken && state.user) {
    storage.setItem(
      STORAGE_KEY,
      JSON.stringify({ refreshToken: state.refreshToken, user: state.user } satisfies Stored),
    );
  } else {
    storage.removeItem(STORAGE_KEY);
  }
}

const authSlice = createSlice({
  name: "auth",
  initialState: loadSession,
  reducers: {
    signedIn(
      _state,
      action: PayloadAction<{ accessToken: string; refreshToken: string; user: SignedInUser }>,
    ) {
      return action.payload;
    },
    tokensRefreshed(state, action: PayloadAction<{ accessToken: string; refreshToken: string }>) {
      state.accessToken = action.payload.accessToken;
      state.refreshToken = action.payload.refreshToken;
    },
    signedOut() {
      return { accessToken: null, refreshToken: null, user: null };
    },
  },
});

export const { signedIn, tokensRefreshed, signedOut } = authSlice.actions;
export const authReducer = authSlice.reducer;
