// SPDX-License-Identifier: BSD-3-Clause
// Empty translation unit that owns the tests' precompiled header.
