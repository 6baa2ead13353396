import { createTheme } from "@mui/material/styles";

// MUI's defaults meet WCAG AA contrast. Keyboard focus gets one ring everywhere, 4.8:1 against
// white: MUI's own components replace `outline` with a faint ripple, so they are set here too.
const FOCUS_RING = { outline: "3px solid #b35900", outlineOffset: "2px" };

export const theme = createTheme({
  palette: { primary: { main: "#1b5e9e" } },
  components: {
    MuiCssBaseline: { styleOverrides: { "*:focus-visible": FOCUS_RING } },
    MuiButtonBase: { styleOverrides: { root: { "&.Mui-focusVisible": FOCUS_RING } } },
    MuiInputBase: { styleOverrides: { root: { "&.Mui-focused": FOCUS_RING } } },
  },
});
