#!/usr/bin/env bash
# Fetches Fashion-MNIST from Debian's `dataset-fashion-mnist` package without root:
# `apt-get download` + `dpkg-deb -x` into a cache directory. Prints the directory holding the four IDX .gz files.
# Exit code 3 (and a message on stderr) when the package cannot be had; callers fall back to generated data.
set -euo pipefail
cache="${1:-${LANCETORCH_CACHE:-$HOME/.cache/lance-torch}/fashion-mnist}"
dir="$cache/usr/share/datasets/fashion-mnist"
if ls "$dir"/train-images-idx3-ubyte.gz "$dir"/t10k-labels-idx1-ubyte.gz >/dev/null 2>&1; then
  echo "$dir"; exit 0
fi
mkdir -p "$cache"
work=$(mktemp -d); trap 'rm -rf "$work"' EXIT
cd "$work"
fetch() { apt-get download "$@" dataset-fashion-mnist >/dev/null 2>&1; }
if ! fetch; then
  # No package lists on this machine (or they are stale): update a private copy of them, no root needed.
  lists="$cache/apt-lists"; mkdir -p "$lists/partial"
  apt_opts=(-o "Dir::State::Lists=$lists" -o Debug::NoLocking=1 -o "Dir::Cache=$work/cache")
  mkdir -p "$work/cache/archives/partial"
  if ! { apt-get "${apt_opts[@]}" update >/dev/null 2>&1 && fetch "${apt_opts[@]}"; }; then
    echo "fetch-fashion-mnist: could not download Debian package dataset-fashion-mnist (no apt access?)" >&2
    exit 3
  fi
fi
dpkg-deb -x ./dataset-fashion-mnist_*.deb "$cache"
echo "$dir"
