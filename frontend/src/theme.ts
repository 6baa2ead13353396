import { createTheme } from "@mui/material/styles";

// MUI's defaults meet WCAG AA contrast; the focus ring is made unmistakable for keyboard use.
export const theme = createTheme({
  palette: { primary: { main: "#1b5e9e" } },
  components: {
    MuiCssBaseline: {
      styleOverrides: {
        "*:focus-visible": { outline: "3px solid #e37400", outlineOffset: "2px" },
      },
    },
    MuiButtonBase: { defaultProps: { disableRipple: false } },
  },
});
