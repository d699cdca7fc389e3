import '@testing-library/jest-dom';
import { configure } from '@testing-library/react';

// findBy* and waitFor wait up to a second by default; on a loaded CI
// machine a page's second round trip (a reload after a conflict) can take
// longer. A test still fails when what it waits for never comes.
configure({ asyncUtilTimeout: 10_000 });
