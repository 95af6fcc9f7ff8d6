"""`ndrguard completion bash|zsh|fish`: a completion script built by walking the argparse
definitions (parser_tree.py), so it offers exactly the commands and options there are.

bash gets a function keyed on the command path typed so far; zsh runs the same function
through its bash-completion layer (bashcompinit); fish gets `complete` lines.
Install: `ndrguard completion bash > ~/.local/share/bash-completion/completions/ndrguard`,
`ndrguard completion zsh > "${fpath[1]}/_ndrguard"`,
`ndrguard completion fish > ~/.config/fish/completions/ndrguard.fish`.
"""

from __future__ import annotations

import argparse
import shlex

from ndrguard.service.cli.parser_tree import Command, tree, walk

SHELLS = ("bash", "zsh", "fish")
q = shlex.quote


def add_parser(sub: argparse._SubParsersAction) -> None:
    p = sub.add_parser(
        "completion",
        help="print a shell completion script (bash, zsh or fish)",
        description="Print a completion script for the shell, made from ndrguard's own command "
        "definitions. bash: ndrguard completion bash > "
        "~/.local/share/bash-completion/completions/ndrguard; zsh: ndrguard completion zsh > "
        '"${fpath[1]}/_ndrguard"; fish: ndrguard completion fish > '
        "~/.config/fish/completions/ndrguard.fish",
    )
    p.add_argument("shell", choices=SHELLS)
    p.set_defaults(func=run)


def run(args: argparse.Namespace) -> int:
    print(script(args.shell), end="")
    return 0


def script(shell: str) -> str:
    root = tree()
    if shell == "fish":
        return fish(root)
    text = bash(root)
    if shell == "zsh":
        return "#compdef ndrguard\nautoload -U +X bashcompinit && bashcompinit\n" + text
    return text


def bash(root: Command) -> str:
    commands = walk(root)
    steps, values, options, words = [], [], [], []
    for cmd in commands:
        path = " ".join(cmd.words)
        for sub in cmd.subcommands:
            step = q(f"{path}|{sub.words[-1]}")
            steps.append(f"      {step}) path={q(' '.join(sub.words))} ;;")
        for opt in cmd.options:
            if opt.metavar is None:
                continue
            for flag in opt.flags:
                key = q(f"{path}|{flag}")
                if opt.choices:
                    offer = q(" ".join(opt.choices))
                    reply = f'COMPREPLY=($(compgen -W {offer} -- "$cur"))'
                    values.append(f"      {key}) {reply}; return ;;")
                elif opt.path:
                    values.append(f'      {key}) COMPREPLY=($(compgen -f -- "$cur")); return ;;')
                else:
                    values.append(f"      {key}) return ;;")
        flags = " ".join(f for o in cmd.options for f in o.flags)
        options.append(f"      {q(path)}) words={q(flags)} ;;")
        offered = [s.words[-1] for s in cmd.subcommands]
        offered += [c for p in cmd.positionals for c in p.choices]
        files = any(p.path for p in cmd.positionals)
        words.append(f"      {q(path)}) words={q(' '.join(offered))}; files={int(files)} ;;")
    nl = "\n"
    return f"""# bash completion for ndrguard (made by `ndrguard completion bash`)
_ndrguard() {{
  local cur=${{COMP_WORDS[COMP_CWORD]}} prev=${{COMP_WORDS[COMP_CWORD-1]}}
  local path="" words="" files=0 i
  for ((i = 1; i < COMP_CWORD; i++)); do
    case "$path|${{COMP_WORDS[i]}}" in
{nl.join(steps)}
    esac
  done
  case "$path|$prev" in
{nl.join(values)}
  esac
  if [[ $cur == -* ]]; then
    case "$path" in
{nl.join(options)}
    esac
    COMPREPLY=($(compgen -W "$words" -- "$cur"))
    return
  fi
  case "$path" in
{nl.join(words)}
  esac
  COMPREPLY=($(compgen -W "$words" -- "$cur"))
  if ((files)); then
    COMPREPLY+=($(compgen -f -- "$cur"))
  fi
}}
complete -o filenames -F _ndrguard ndrguard
"""


def fish(root: Command) -> str:
    start = "complete -c ndrguard -n"
    lines = ["# fish completion for ndrguard (made by `ndrguard completion fish`)",
             "complete -c ndrguard -f"]  # fmt: skip
    for cmd in walk(root):
        seen = [f"__fish_seen_subcommand_from {w}" for w in cmd.words]
        below = " ".join(s.words[-1] for s in cmd.subcommands)
        if cmd.subcommands:
            here = (
                "; and ".join([*seen, f"not __fish_seen_subcommand_from {below}"])
                if seen
                else "__fish_use_subcommand"
            )
            for sub in cmd.subcommands:
                lines.append(f"{start} {q(here)} -a {q(sub.words[-1])} -d {q(sub.help)}")
        cond = "; and ".join(seen) if seen else "__fish_use_subcommand"
        for pos in cmd.positionals:
            if pos.choices:
                lines.append(f"{start} {q(cond)} -a {q(' '.join(pos.choices))}")
            elif pos.path:
                lines.append(f"{start} {q(cond)} -F")
        for opt in cmd.options:
            parts = []
            for flag in opt.flags:
                parts += ["-l", flag[2:]] if flag.startswith("--") else ["-s", flag[1:]]
            if opt.metavar is not None:  # -x: takes a value, no file names; -r -F: a file
                parts += ["-r", "-F"] if opt.path else ["-x"]
                if opt.choices:
                    parts += ["-a", " ".join(opt.choices)]
            lines.append(f"{start} {q(cond)} {shlex.join(parts)} -d {q(opt.help)}")
    return "\n".join(lines) + "\n"
