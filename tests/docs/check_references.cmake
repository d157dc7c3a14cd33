# Checks that the repository's documentation is self-contained (ctest: docs_references).
#
#   cmake -DSOURCE_DIR=<repository root> -P tests/docs/check_references.cmake
#
# SOURCE_DIR defaults to two directories above this script. Scanned: the text files (by
# extension) under include/, tests/, examples/, benchmarks/, scripts/, configs/, cmake/ and
# docs/, and README.md. Every violation is printed as "path:line: reason"; the script fails if
# there is any.
#   (a) no file names the former external notes (the upper-case PHYSICS, DESIGN and STYLE
#       markdown files) or an absolute machine path under /work/ or /home/; this script is
#       exempt from (a), since it has to spell those names;
#   (b) every reference docs/<name>.md names a file that exists in docs/;
#   (c) every section citation "docs/<name>.md §N" or "§N.M" (also chained: "§6.2–6.5",
#       "§9.1, §10", "§3.1 and §3.2") names a section whose Markdown heading starts with that
#       number ("## N." or "### N.M ...").

cmake_minimum_required(VERSION 3.25)

if(NOT DEFINED SOURCE_DIR)
  get_filename_component(SOURCE_DIR "${CMAKE_CURRENT_LIST_DIR}/../.." ABSOLUTE)
endif()
get_filename_component(SOURCE_DIR "${SOURCE_DIR}" ABSOLUTE)
if(NOT EXISTS "${SOURCE_DIR}/docs")
  message(FATAL_ERROR "check_references: ${SOURCE_DIR}/docs does not exist (set -DSOURCE_DIR=<repository root>)")
endif()

set(text_extensions .hpp .h .cpp .cc .cmake .in .txt .md .py .sh .toml .json .yml .yaml .cfg)
set(files "")
foreach(dir IN ITEMS include tests examples benchmarks scripts configs cmake docs)
  if(EXISTS "${SOURCE_DIR}/${dir}")
    file(GLOB_RECURSE found LIST_DIRECTORIES false "${SOURCE_DIR}/${dir}/*")
    list(APPEND files ${found})
  endif()
endforeach()
if(EXISTS "${SOURCE_DIR}/README.md")
  list(APPEND files "${SOURCE_DIR}/README.md")
endif()
list(SORT files)

# Characters that CMake's list handling would interpret are replaced by placeholders before a
# file is split into lines (the placeholders cannot occur in a text file).
string(ASCII 1 ph_semicolon)
string(ASCII 2 ph_open)
string(ASCII 3 ph_close)
string(ASCII 4 ph_backslash)

set(note_regex "(PHYSICS|DESIGN|STYLE)\\.md")
set(path_regex "[^A-Za-z0-9_.~-]/(work|home)/")
set(docs_regex "[^A-Za-z0-9_./-]docs/([A-Za-z0-9_-]+)\\.md(.*)$")
set(number_regex "[0-9]+(\\.[0-9]+)*")

set(violations 0)

# Section numbers of the headings of docs/<name>.md, cached in headings_<name>.
function(load_headings name)
  set(numbers "")
  file(STRINGS "${SOURCE_DIR}/docs/${name}.md" heading_lines REGEX "^#+ " ENCODING UTF-8)
  foreach(h IN LISTS heading_lines)
    if(h MATCHES "^#+ +([0-9]+(\\.[0-9]+)*)\\.?( |$)")
      list(APPEND numbers "${CMAKE_MATCH_1}")
    endif()
  endforeach()
  set(headings_${name} "${numbers}" PARENT_SCOPE)
  set(headings_${name}_loaded TRUE PARENT_SCOPE)
endfunction()

foreach(path IN LISTS files)
  get_filename_component(ext "${path}" LAST_EXT)
  if(NOT ext IN_LIST text_extensions)
    continue()
  endif()
  if(path MATCHES "/__pycache__/")
    continue()
  endif()
  file(RELATIVE_PATH rel "${SOURCE_DIR}" "${path}")
  set(is_self FALSE)
  if(rel STREQUAL "tests/docs/check_references.cmake")
    set(is_self TRUE)
  endif()

  file(READ "${path}" content)
  # Cheap filter: only files that contain a candidate are split into lines.
  set(candidate FALSE)
  if(content MATCHES "docs/")
    set(candidate TRUE)
  elseif(NOT is_self AND (content MATCHES "${note_regex}" OR content MATCHES "/(work|home)/"))
    set(candidate TRUE)
  endif()
  if(NOT candidate)
    continue()
  endif()

  string(REPLACE "\\" "${ph_backslash}" content "${content}")
  string(REPLACE ";" "${ph_semicolon}" content "${content}")
  string(REPLACE "[" "${ph_open}" content "${content}")
  string(REPLACE "]" "${ph_close}" content "${content}")
  string(REPLACE "\n" ";" lines "${content}")

  set(line_no 0)
  foreach(line IN LISTS lines)
    math(EXPR line_no "${line_no} + 1")
    # A leading space lets the "not preceded by a path character" patterns match at column 1.
    set(line " ${line}")

    if(NOT is_self)
      string(REGEX MATCHALL "${note_regex}" notes "${line}")
      if(notes)
        list(JOIN notes ", " notes)
        message("${rel}:${line_no}: cites ${notes} (not part of the repository)")
        math(EXPR violations "${violations} + 1")
      endif()
      if(line MATCHES "${path_regex}")
        message("${rel}:${line_no}: contains an absolute machine path (/${CMAKE_MATCH_1}/...)")
        math(EXPR violations "${violations} + 1")
      endif()
    endif()

    set(rest "${line}")
    while(rest MATCHES "${docs_regex}")
      set(name "${CMAKE_MATCH_1}")
      set(tail "${CMAKE_MATCH_2}")
      set(rest "${tail}")
      if(NOT EXISTS "${SOURCE_DIR}/docs/${name}.md")
        message("${rel}:${line_no}: docs/${name}.md does not exist")
        math(EXPR violations "${violations} + 1")
        continue()
      endif()
      # The chain of section numbers that follows the reference.
      set(sections "")
      if(tail MATCHES "^ *§(${number_regex})(.*)$")
        list(APPEND sections "${CMAKE_MATCH_1}")
        set(chain "${CMAKE_MATCH_3}")
        while(TRUE)
          if(chain MATCHES "^ *(,|and|, and) *§(${number_regex})(.*)$")
            list(APPEND sections "${CMAKE_MATCH_2}")
            set(chain "${CMAKE_MATCH_4}")
          elseif(chain MATCHES "^(–|-)(${number_regex})(.*)$")
            list(APPEND sections "${CMAKE_MATCH_2}")
            set(chain "${CMAKE_MATCH_4}")
          else()
            break()
          endif()
        endwhile()
      endif()
      if(sections)
        if(NOT headings_${name}_loaded)
          load_headings(${name})
        endif()
        foreach(section IN LISTS sections)
          if(NOT section IN_LIST headings_${name})
            message("${rel}:${line_no}: docs/${name}.md has no section ${section} (no heading starting with \"${section}\")")
            math(EXPR violations "${violations} + 1")
          endif()
        endforeach()
      endif()
    endwhile()
  endforeach()
endforeach()

if(violations GREATER 0)
  message(FATAL_ERROR "check_references: ${violations} problem(s) in the documentation references")
endif()
list(LENGTH files scanned)
message(STATUS "check_references: documentation references resolve (${scanned} files scanned)")
