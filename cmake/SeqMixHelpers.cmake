# Helpers shared by SeqMix's CMake files.

# seqmix_add_library(name SOURCES ... [DEPENDS targets...] [LINK_LIBS libs...])
#
# A position-independent static archive of SeqMix code that links the shared
# libMLIR.so. It is exported as SeqMix::<name> from the installed CMake package.
function(seqmix_add_library name)
  cmake_parse_arguments(ARG "" "" "SOURCES;DEPENDS;LINK_LIBS" ${ARGN})
  add_library(${name} STATIC ${ARG_SOURCES})
  add_library(SeqMix::${name} ALIAS ${name})
  set_target_properties(${name} PROPERTIES POSITION_INDEPENDENT_CODE ON)
  if(ARG_DEPENDS)
    add_dependencies(${name} ${ARG_DEPENDS})
  endif()
  target_link_libraries(${name} PUBLIC ${ARG_LINK_LIBS} MLIR LLVM)
  target_include_directories(${name} PUBLIC
    $<BUILD_INTERFACE:${SEQMIX_SOURCE_DIR}/include>
    $<BUILD_INTERFACE:${SEQMIX_BINARY_DIR}/include>
    $<INSTALL_INTERFACE:include>)
  # Users of the package compile against the same MLIR and LLVM headers, and
  # like LLVM without RTTI when LLVM has none.
  target_include_directories(${name} SYSTEM PUBLIC
    ${MLIR_INCLUDE_DIRS} ${LLVM_INCLUDE_DIRS})
  if(NOT LLVM_ENABLE_RTTI)
    target_compile_options(${name} INTERFACE
      $<$<COMPILE_LANGUAGE:CXX>:-fno-rtti>)
  endif()
  install(TARGETS ${name} EXPORT SeqMixTargets
    ARCHIVE DESTINATION lib LIBRARY DESTINATION lib RUNTIME DESTINATION bin
    INCLUDES DESTINATION include)
endfunction()

# seqmix_add_tool(name sources...): an executable in build/bin that links
# libMLIR.so and is installed.
function(seqmix_add_tool name)
  add_executable(${name} ${ARGN})
  llvm_update_compile_flags(${name})
  install(TARGETS ${name} EXPORT SeqMixTargets RUNTIME DESTINATION bin)
endfunction()
