import { configureStore } from "@reduxjs/toolkit";
import { useDispatch, useSelector } from "react-redux";
import { baseApi } from "../api/base";
import { authReducer, saveSession } from "../features/auth/authSlice";

/** The service worker's cache of attempts (vite.config.ts names it): what a student saw is
 * not left on a shared computer after they sign out. */
export const ATTEMPT_CACHE = "soems-attempts";

function forgetOfflineCopies(): void {
  if ("caches" in globalThis) void globalThis.caches.delete(ATTEMPT_CACHE);
}

export function makeStore() {
  const store = configureStore({
    reducer: { auth: authReducer, [baseApi.reducerPath]: baseApi.reducer },
    middleware: (getDefault) => getDefault().concat(baseApi.middleware),
  });
  let last = store.getState().auth;
  store.subscribe(() => {
    const auth = store.getState().auth;
    if (auth !== last) {
      if (last.user && !auth.user) forgetOfflineCopies();
      last = auth;
      saveSession(auth);
    }
  });
  return store;
}

export type AppStore = ReturnType<typeof makeStore>;
export type RootState = ReturnType<AppStore["getState"]>;
export type AppDispatch = AppStore["dispatch"];
export const useAppDispatch = useDispatch.withTypes<AppDispatch>();
export const useAppSelector = useSelector.withTypes<RootState>();
