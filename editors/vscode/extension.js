// Starts `lovregler lsp` (the language server of the lovregler package) for .lov files.
const vscode = require("vscode");
const { LanguageClient, TransportKind } = require("vscode-languageclient/node");

let client;

function activate(context) {
  const [command, ...args] = vscode.workspace
    .getConfiguration("lovregler")
    .get("command", ["lovregler", "lsp"]);
  const server = { command, args, transport: TransportKind.stdio };
  client = new LanguageClient(
    "lovregler",
    "lovregler",
    { run: server, debug: server },
    { documentSelector: [{ scheme: "file", language: "lovregler" }] }
  );
  context.subscriptions.push({ dispose: () => client && client.stop() });
  return client.start();
}

function deactivate() {
  return client ? client.stop() : undefined;
}

module.exports = { activate, deactivate };
