# shellcheck shell=sh
# out_of_tree_lib.sh -- what the out-of-tree tests (tests/sdk/,
# tests/client_package/) share: install one component of this build into a
# temporary prefix and build a consumer project against it, as someone
# outside the FastQueue tree would. Sourced by their scripts (POSIX sh, set -eu).
#
# After out_of_tree_start NAME: $TMP (removed on exit), $PREFIX (the install
# prefix) and $TMP_BUILD (the consumer's build directory).

fail() {
    echo "out_of_tree_test: $*" >&2
    exit 1
}

# out_of_tree_start NAME
out_of_tree_start() {
    TMP=$(mktemp -d "${TMPDIR:-/tmp}/fastqueue-$1-test.XXXXXX")
    trap 'rm -rf "$TMP"' EXIT INT TERM
    PREFIX="$TMP/prefix"
    TMP_BUILD="$TMP/build"
}

# install_component CMAKE BUILD_DIR COMPONENT
install_component() {
    "$1" --install "$2" --component "$3" --prefix "$PREFIX" >"$TMP/install.log" 2>&1 ||
        { cat "$TMP/install.log" >&2; fail "installing the $3 component failed"; }
}

# build_consumer CMAKE SOURCE_DIR CXX_COMPILER [LINK_FLAGS]
# Configures SOURCE_DIR with CMAKE_PREFIX_PATH=$PREFIX and builds it in $TMP_BUILD.
build_consumer() {
    if command -v ninja >/dev/null 2>&1; then
        generator=Ninja
    else
        generator="Unix Makefiles"
    fi
    "$1" -S "$2" -B "$TMP_BUILD" -G "$generator" \
        -DCMAKE_PREFIX_PATH="$PREFIX" -DCMAKE_CXX_COMPILER="$3" \
        -DCMAKE_EXE_LINKER_FLAGS="${4:-}" \
        -DCMAKE_BUILD_TYPE=Release >"$TMP/configure.log" 2>&1 ||
        { cat "$TMP/configure.log" >&2; fail "configuring the consumer project failed"; }
    "$1" --build "$TMP_BUILD" >"$TMP/build.log" 2>&1 ||
        { cat "$TMP/build.log" >&2; fail "building the consumer project failed"; }
}
