package dev.lancetorch.permutation;

import java.util.AbstractList;
import java.util.List;
import java.util.function.Consumer;

/**
 * An immutable list that <em>owns</em> native elements and releases each once on {@link #close()};
 * its elements are <em>borrowed</em> by readers (valid until close). Closing twice is safe; reading
 * after close throws {@link IllegalStateException}.
 */
abstract class OwningList<E> extends AbstractList<E> implements AutoCloseable {
  private final String name;
  private final Consumer<E> release;
  private List<E> elements;

  /** Takes ownership of the elements; {@code release} frees one of them. */
  OwningList(String name, List<E> elements, Consumer<E> release) {
    this.name = name;
    this.release = release;
    this.elements = List.copyOf(elements);
  }

  private List<E> open() {
    if (elements == null) {
      throw new IllegalStateException(name + " is closed");
    }
    return elements;
  }

  /** Element {@code i}, <em>borrowed</em> (valid until close). */
  @Override
  public E get(int i) {
    return open().get(i);
  }

  @Override
  public int size() {
    return open().size();
  }

  @Override
  public void close() {
    if (elements != null) {
      elements.forEach(release);
      elements = null;
    }
  }
}
