// Every request goes to the gateway's /api (one origin: no CORS). A 401 triggers one silent
// refresh (shared by every request that failed meanwhile), then the request is retried once
// with the same arguments, so a command keeps its Idempotency-Key and cannot run twice.
import {
  fetchBaseQuery,
  type BaseQueryFn,
  type FetchArgs,
  type FetchBaseQueryError,
} from "@reduxjs/toolkit/query/react";
import { signedOut, tokensRefreshed, type AuthState } from "../features/auth/authSlice";

type WithAuth = { auth: AuthState };

/** Query parameters as FastAPI reads lists: `tag=a&tag=b` (URLSearchParams would send
 * `tag=a,b`, one tag). Absent values are left out. */
export function queryString(params: Record<string, unknown>): string {
  const search = new URLSearchParams();
  for (const [name, value] of Object.entries(params)) {
    for (const one of Array.isArray(value) ? value : [value]) {
      if (one !== undefined && one !== null) search.append(name, String(one));
    }
  }
  return search.toString();
}

const rawBaseQuery = fetchBaseQuery({
  // Absolute, so the same code runs in the browser and under Vitest (Node's Request needs it).
  baseUrl: new URL("/api", globalThis.location?.origin ?? "http://localhost").href,
  paramsSerializer: queryString,
  prepareHeaders: (headers, { getState }) => {
    const token = (getState() as WithAuth).auth.accessToken;
    if (token) headers.set("Authorization", `Bearer ${token}`);
    return headers;
  },
});

const NO_REFRESH = ["/v1/auth/login", "/v1/auth/refresh"];
let refreshing: Promise<boolean> | null = null;

type Api = Parameters<BaseQueryFn>[1];

async function refresh(api: Api, extra: object): Promise<boolean> {
  const refreshToken = (api.getState() as WithAuth).auth.refreshToken;
  if (!refreshToken) return false;
  const answer = await rawBaseQuery(
    { url: "/v1/auth/refresh", method: "POST", body: { refresh_token: refreshToken } },
    api,
    extra,
  );
  const tokens = answer.data as { access_token: string; refresh_token: string } | undefined;
  if (!tokens) {
    // Only the server's refusal ends the session. A refresh lost to the network (a student
    // offline mid-exam) keeps it: the request fails as offline and is sent again later.
    if (typeof answer.error?.status === "number" && answer.error.status < 500) {
      api.dispatch(signedOut());
    }
    return false;
  }
  api.dispatch(
    tokensRefreshed({ accessToken: tokens.access_token, refreshToken: tokens.refresh_token }),
  );
  return true;
}

// OpenAPI documents an optional header as "string or null" (If-Match): the generated code may
// pass null, which means "not sent".
type Header = string | number | boolean | null | undefined;
export type ApiArgs = string | (Omit<FetchArgs, "headers"> & { headers?: Record<string, Header> });

function withoutNulls(args: ApiArgs): string | FetchArgs {
  if (typeof args === "string" || !args.headers) return args as string | FetchArgs;
  const headers = Object.fromEntries(
    Object.entries(args.headers).filter(
      (entry): entry is [string, string | number | boolean] =>
        entry[1] !== null && entry[1] !== undefined,
    ),
  );
  return { ...args, headers };
}

export const baseQueryWithReauth: BaseQueryFn<ApiArgs, unknown, FetchBaseQueryError> = async (
  given,
  api,
  extra,
) => {
  const args = withoutNulls(given);
  let result = await rawBaseQuery(args, api, extra);
  const url = typeof args === "string" ? args : args.url;
  if (result.error?.status === 401 && !NO_REFRESH.includes(url)) {
    refreshing ??= refresh(api, extra as object).finally(() => {
      refreshing = null;
    });
    if (await refreshing) result = await rawBaseQuery(args, api, extra);
  }
  return result;
};
