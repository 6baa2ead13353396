import { StrictMode } from "react";
import { createRoot } from "react-dom/client";
import { Provider } from "react-redux";
import { BrowserRouter } from "react-router";
import { App, homeOf, preloadHome } from "./App";
import { makeStore } from "./app/store";
import { loadSession } from "./features/auth/authSlice";

// A reload of a signed-in tab on its home page: the page's code first (a few tens of ms), so
// that it shows at once instead of a loading bar React keeps up for at least 300 ms; never
// more than a second of a blank page for it on a slow network.
const role = loadSession().user?.role;
const ready =
  role && window.location.pathname === homeOf(role)
    ? Promise.race([preloadHome(role), new Promise((done) => setTimeout(done, 1000))])
    : Promise.resolve();

void ready.then(() =>
  createRoot(document.getElementById("root")!).render(
    <StrictMode>
      <Provider store={makeStore()}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </Provider>
    </StrictMode>,
  ),
);
