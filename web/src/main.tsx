import '@mantine/core/styles.css';
import '@mantine/notifications/styles.css';
import { createTheme, MantineProvider, type CSSVariablesResolver } from '@mantine/core';
import { Notifications } from '@mantine/notifications';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { BrowserRouter } from 'react-router';
import { ApiError } from './api/client';
import { App } from './App';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      staleTime: 15_000,
      // Live updates come from the event stream; a 4xx will not get better by retrying.
      retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
      refetchOnWindowFocus: false,
    },
  },
});

const theme = createTheme({
  primaryColor: 'indigo',
  // Shade 8 keeps white text on filled buttons above 4.5:1 (WCAG AA); Mantine's default 6 is not.
  primaryShade: 8,
  defaultRadius: 'md',
  fontFamily: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
  // Dialogs' and drawers' close (×) buttons have no text: name them for screen readers.
  // Plain objects, not Modal.extend(): importing the components here would put them in the first page's bundle.
  components: {
    Modal: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
    Drawer: { defaultProps: { closeButtonProps: { 'aria-label': 'Close' } } },
  },
});

// WCAG AA (4.5:1) for small text, checked by axe-core in test/e2e/a11y.test.ts: darker dimmed grey,
// links, light and outline variants' text, and filled backgrounds of the colours used with white text.
const COLOURS = ['indigo', 'blue', 'teal', 'green', 'red', 'orange', 'gray', 'violet', 'cyan', 'yellow'];
const contrast: CSSVariablesResolver = () => ({
  variables: {},
  light: {
    '--mantine-color-dimmed': 'var(--mantine-color-gray-7)',
    '--mantine-color-anchor': 'var(--mantine-color-indigo-8)',
    ...Object.fromEntries(
      COLOURS.flatMap((c) => [
        [`--mantine-color-${c}-light-color`, `var(--mantine-color-${c}-9)`],
        [`--mantine-color-${c}-outline`, `var(--mantine-color-${c}-9)`],
        [`--mantine-color-${c}-filled`, `var(--mantine-color-${c}-9)`],
      ]),
    ),
    '--mantine-color-indigo-filled': 'var(--mantine-color-indigo-8)',
  },
  dark: {},
});

const root = document.getElementById('root');
if (!root) throw new Error('index.html has no #root');
createRoot(root).render(
  <StrictMode>
    <MantineProvider theme={theme} cssVariablesResolver={contrast}>
      <Notifications position="bottom-right" />
      <QueryClientProvider client={queryClient}>
        <BrowserRouter>
          <App />
        </BrowserRouter>
      </QueryClientProvider>
    </MantineProvider>
  </StrictMode>,
);
