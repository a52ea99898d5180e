// The workspace pages: built offline from notebooks/ into dist/pages, served by the Worker.
export default {
  root: "notebooks",
  output: "dist/pages",
  title: "Business Reliability Workspace",
  theme: ["air", "near-midnight"],
  // No web fonts: the build must work without network access.
  globalStylesheets: [],
  pages: [{ name: "Health", path: "/" }],
  footer: "Business Reliability Engine · data from this workspace's own API",
  search: false,
  cleanUrls: false,
};
