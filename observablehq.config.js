// The workspace pages: built offline from notebooks/ into dist/pages, served by the Worker.
export default {
  root: "notebooks",
  // `npm run build` builds into a staging folder and syncs it into dist/pages, so a running
  // `wrangler dev` never sees its assets folder disappear.
  output: process.env.BRE_PAGES_OUTPUT ?? "dist/pages",
  title: "Business Reliability Workspace",
  // Framework's air theme plus the Inputs stylesheet and our own classes (notebooks/style.css).
  style: "style.css",
  // No web fonts: the build must work without network access.
  globalStylesheets: [],
  head: `<link rel="icon" href="data:image/svg+xml,%3Csvg xmlns='http://www.w3.org/2000/svg' viewBox='0 0 16 16'%3E%3Cpath d='M1 9h3l2-6 3 10 2-4h4' fill='none' stroke='%232a6fdb' stroke-width='2'/%3E%3C/svg%3E">`,
  pages: [
    { name: "Health", path: "/" },
    { name: "Incidents", path: "/incidents" },
    { name: "Conflicts", path: "/conflicts" },
    { name: "Setup", path: "/setup" },
  ],
  footer: "Business Reliability Engine · data from this workspace's own API",
  search: false,
  cleanUrls: false,
};
