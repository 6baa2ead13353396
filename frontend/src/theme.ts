import { createTheme } from "@mui/material/styles";

// MUI's defaults meet WCAG AA contrast. Keyboard focus gets one ring everywhere, 4.8:1 against
// white: MUI's own components replace `outline` with a faint ripple, so they are set here too.
const FOCUS_COLOUR = "#b35900";
const FOCUS_RING = { outline: `3px solid ${FOCUS_COLOUR}`, outlineOffset: "2px" };

export const theme = createTheme({
  palette: { primary: { main: "#1b5e9e" } },
  components: {
    MuiCssBaseline: { styleOverrides: { "*:focus-visible": FOCUS_RING } },
    MuiButtonBase: { styleOverrides: { root: { "&.Mui-focusVisible": FOCUS_RING } } },
    MuiInputBase: { styleOverrides: { root: { "&.Mui-focused": FOCUS_RING } } },
    // An outlined field's label sits on its border: a ring around the box would strike through
    // it. Its border, notched around the label, carries the ring's colour and width instead.
    MuiOutlinedInput: {
      styleOverrides: {
        root: {
          "&.Mui-focused": { outline: "none" },
          "&.Mui-focused .MuiOutlinedInput-notchedOutline": { borderWidth: 3 },
          "&.Mui-focused:not(.Mui-error) .MuiOutlinedInput-notchedOutline": {
            borderColor: FOCUS_COLOUR,
          },
        },
      },
    },
  },
});
