/* A program an excerpt of docs/guide.md quotes. */
static int twice(int v)
{
    return 2 * v;
}

int main(void)
{
    if (twice(21) != 42)
        return 1;
    return 0;
}
